"""Python peers of sift's judge, driven by bench/peers.bench.ts over stdin/stdout (one JSON object a line).

Every runner loads the SAME weights: the Hugging Face checkpoint (config.json, model.safetensors,
tokenizer files) that bench/peers/checkpoint.ts writes, or the ONNX graph sift's converter made from
it. Each `score` request times one query of candidates in this process (tokenizing included, as sift's
rerank does) and answers with the milliseconds, the CPU milliseconds of the process and the logits, so
the Node side can interleave these runners with sift's own round by round.

Requests:  {"cmd": "load", "checkpoint": DIR, "onnx": FILE, "threads": N, "runners": [...], "calibration": [[q, t], ...]}
           {"cmd": "score", "runner": NAME, "query": Q, "texts": [...]}
           {"cmd": "quit"}
Answers:   {"ok": true, ...} or {"ok": false, "error": "..."}
"""

import json
import os
import sys
import time
import traceback


def versions():
    out = {"python": sys.version.split()[0]}
    for name in ("torch", "transformers", "sentence_transformers", "openvino", "nncf", "optimum", "onnxruntime", "flashrank", "fastembed"):
        try:
            module = __import__(name)
            out[name] = getattr(module, "__version__", None) or getattr(module, "get_version", lambda: "?")()
        except Exception:  # noqa: BLE001 - a missing peer is reported, not fatal
            pass
    return out


class Runner:
    """One way of scoring (query, text) pairs; `score` returns float logits in input order."""

    def __init__(self, name, note):
        self.name = name
        self.note = note

    def score(self, query, texts):
        raise NotImplementedError


def st_cross_encoder(checkpoint, threads, **kwargs):
    import torch
    from sentence_transformers import CrossEncoder

    torch.set_num_threads(threads)
    return CrossEncoder(checkpoint, device="cpu", max_length=512, **kwargs)


class SentenceTransformersRunner(Runner):
    def __init__(self, name, note, model, autocast=None):
        super().__init__(name, note)
        self.model = model
        self.autocast = autocast

    def score(self, query, texts):
        import torch

        pairs = [(query, t) for t in texts]
        with torch.inference_mode():
            if self.autocast is not None:
                with torch.autocast("cpu", dtype=self.autocast):
                    out = self.model.predict(pairs, batch_size=32, activation_fn=torch.nn.Identity(), convert_to_numpy=True)
            else:
                out = self.model.predict(pairs, batch_size=32, activation_fn=torch.nn.Identity(), convert_to_numpy=True)
        return [float(x) for x in out.reshape(-1)]


class TokenizedRunner(Runner):
    """Runners that take tokenized numpy batches: one padded batch per query, as sentence-transformers pads."""

    def __init__(self, name, note, checkpoint):
        super().__init__(name, note)
        self.tokenizer = pair_tokenizer(checkpoint)

    def encode(self, query, texts):
        return encode_pairs(self.tokenizer, [(query, t) for t in texts])


class OpenVinoRunner(TokenizedRunner):
    def __init__(self, name, note, checkpoint, compiled):
        super().__init__(name, note, checkpoint)
        self.compiled = compiled
        self.request = compiled.create_infer_request()
        self.inputs = {i.get_any_name() for i in compiled.inputs}

    def score(self, query, texts):
        enc = self.encode(query, texts)
        feeds = {k: v for k, v in enc.items() if k in self.inputs}
        result = self.request.infer(feeds)
        logits = next(iter(result.values()))
        return [float(x) for x in logits.reshape(-1)]


class OnnxRuntimeRunner(TokenizedRunner):
    def __init__(self, name, note, checkpoint, onnx_path, threads):
        super().__init__(name, note, checkpoint)
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}

    def score(self, query, texts):
        enc = self.encode(query, texts)
        feeds = {k: v for k, v in enc.items() if k in self.inputs}
        (logits,) = self.session.run(["logits"], feeds)
        return [float(x) for x in logits.reshape(-1)]


class FlashRankRunner(Runner):
    """FlashRank's Ranker on the same graph: it opens `<cache_dir>/<model name>/<its file name>` when that folder
    exists (else it downloads its own zip), so the folder is staged with links to this checkpoint's files."""

    def __init__(self, name, checkpoint, onnx_path, threads):
        super().__init__(name, "FlashRank Ranker (onnxruntime, one padded batch; its session re-made with the thread count)")
        import onnxruntime as ort
        from flashrank import Ranker
        from flashrank.Config import model_file_map

        model_name = "ms-marco-TinyBERT-L-2-v2"  # only the name is FlashRank's; the files are this checkpoint's
        cache = os.path.join(os.path.dirname(os.path.dirname(onnx_path)), ".flashrank")
        folder = os.path.join(cache, model_name)
        os.makedirs(folder, exist_ok=True)
        links = {model_file_map[model_name]: onnx_path}
        for f in ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
            links[f] = os.path.join(checkpoint, f)
        for f, target in links.items():
            path = os.path.join(folder, f)
            if os.path.lexists(path):
                os.remove(path)
            os.symlink(target, path)
        self.ranker = Ranker(model_name=model_name, cache_dir=cache, max_length=512, log_level="WARNING")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # FlashRank opens its session without options (all cores); the same file with the thread count.
        self.ranker.session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])

    def score(self, query, texts):
        import math

        from flashrank import RerankRequest

        ranked = self.ranker.rerank(RerankRequest(query=query, passages=[{"id": i, "text": t} for i, t in enumerate(texts)]))
        out = [0.0] * len(texts)
        for r in ranked:
            s = min(max(float(r["score"]), 1e-12), 1 - 1e-7)
            out[r["id"]] = math.log(s / (1 - s))  # FlashRank returns sigmoid(logit)
        return out


class FastEmbedRunner(Runner):
    """fastembed's TextCrossEncoder on the same folder, registered as a custom model with a local path."""

    def __init__(self, name, checkpoint, onnx_path, threads):
        super().__init__(name, "fastembed TextCrossEncoder (onnxruntime)")
        from fastembed.common.model_description import ModelSource
        from fastembed.rerank.cross_encoder import TextCrossEncoder

        model = "sift-peers/minilm-l6-random"
        try:
            TextCrossEncoder.add_custom_model(model=model, sources=ModelSource(hf=model), model_file="onnx/model.onnx")
        except ValueError:
            pass  # registered by an earlier load in this process
        self.encoder = TextCrossEncoder(model, threads=threads, specific_model_path=os.path.dirname(os.path.dirname(onnx_path)))

    def score(self, query, texts):
        return [float(x) for x in self.encoder.rerank(query, list(texts), batch_size=64)]


def pair_tokenizer(checkpoint):
    """The checkpoint's fast tokenizer (the `tokenizers` library, as transformers' fast tokenizers use), padding to the batch's longest pair."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(checkpoint, "tokenizer.json"))
    tok.enable_truncation(512, strategy="only_second")
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    return tok


def encode_pairs(tok, pairs):
    import numpy as np

    encodings = tok.encode_batch(pairs)
    return {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }


def openvino_compiled(onnx_path, threads, calibration=None, tokenizer_dir=None, precision=None):
    import openvino as ov

    core = ov.Core()
    model = core.read_model(onnx_path)
    if calibration is not None:
        import nncf

        tok = pair_tokenizer(tokenizer_dir)
        names = {i.get_any_name() for i in model.inputs}
        items = []
        for i in range(0, len(calibration), 20):
            enc = encode_pairs(tok, [tuple(p) for p in calibration[i : i + 20]])
            items.append({k: v for k, v in enc.items() if k in names})
        model = nncf.quantize(model, nncf.Dataset(items), model_type=nncf.ModelType.TRANSFORMER, subset_size=len(items))
    config = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": 1}
    if precision:
        config["INFERENCE_PRECISION_HINT"] = precision
    compiled = core.compile_model(model, "CPU", config)
    return compiled, str(compiled.get_property("INFERENCE_PRECISION_HINT"))


def make_runner(name, checkpoint, onnx_path, threads, calibration):
    if name == "st-torch-fp32":
        return SentenceTransformersRunner(name, "sentence-transformers CrossEncoder, torch fp32 (the seeds' code)", st_cross_encoder(checkpoint, threads))
    if name == "st-torch-bf16":
        import torch

        return SentenceTransformersRunner(name, "sentence-transformers CrossEncoder, torch autocast bf16", st_cross_encoder(checkpoint, threads), autocast=torch.bfloat16)
    if name == "st-openvino":
        model = st_cross_encoder(checkpoint, threads, backend="openvino", model_kwargs={"ov_config": {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": 1}})
        return SentenceTransformersRunner(name, "sentence-transformers CrossEncoder, backend='openvino' (exported by optimum-intel)", model)
    if name == "openvino":
        compiled, precision = openvino_compiled(onnx_path, threads)
        return OpenVinoRunner(name, f"OpenVINO runtime, the same ONNX graph, default precision ({precision})", checkpoint, compiled)
    if name == "openvino-int8":
        compiled, precision = openvino_compiled(onnx_path, threads, calibration=calibration, tokenizer_dir=checkpoint)
        return OpenVinoRunner(name, f"OpenVINO runtime, nncf static int8 of the same graph ({len(calibration)} calibration pairs; rest {precision})", checkpoint, compiled)
    if name == "onnxruntime-fp32":
        return OnnxRuntimeRunner(name, "onnxruntime (Python), the same ONNX graph, one padded batch", checkpoint, onnx_path, threads)
    if name == "flashrank":
        return FlashRankRunner(name, checkpoint, onnx_path, threads)
    if name == "fastembed":
        return FastEmbedRunner(name, checkpoint, onnx_path, threads)
    raise RuntimeError(f"unknown runner {name}")


def main():
    runners = {}
    out = sys.stdout
    sys.stdout = sys.stderr  # libraries' prints must not corrupt the protocol
    for line in sys.stdin:
        try:
            request = json.loads(line)
            cmd = request.get("cmd")
            if cmd == "quit":
                break
            if cmd == "load":
                threads = int(request["threads"])
                os.environ["OMP_NUM_THREADS"] = str(threads)
                loaded, skipped, notes = [], {}, {}
                for name in request["runners"]:
                    try:
                        runner = make_runner(name, request["checkpoint"], request["onnx"], threads, request.get("calibration") or [])
                        runner.score("warm up", ["a first short passage", "a second passage, a little longer than the first"])
                        runners[name] = runner
                        loaded.append(name)
                        notes[name] = runner.note
                    except Exception as err:  # noqa: BLE001 - a peer that cannot load is skipped with its reason
                        skipped[name] = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"[:300]
                answer = {"ok": True, "loaded": loaded, "skipped": skipped, "notes": notes, "versions": versions()}
            elif cmd == "score":
                runner = runners[request["runner"]]
                cpu0 = time.process_time()
                t0 = time.perf_counter()
                logits = runner.score(request["query"], request["texts"])
                ms = (time.perf_counter() - t0) * 1000
                cpu = (time.process_time() - cpu0) * 1000
                answer = {"ok": True, "ms": ms, "cpuMs": cpu, "logits": logits}
            else:
                answer = {"ok": False, "error": f"unknown command {cmd}"}
        except Exception as err:  # noqa: BLE001
            answer = {"ok": False, "error": f"{type(err).__name__}: {err}", "trace": traceback.format_exc()[-2000:]}
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
