import type { ModelRole } from '../models/model-spec.js';
import { loadTextModel, type ModelLoadOptions, type TextModel } from './load-text-model.js';
import { closeSession } from './onnx-session.js';

/**
 * A text model loaded on first use and released on `close`, shared by the judge and the scout:
 * concurrent first calls share one load, a failed load is tried again by the next call, and a
 * model whose graph `prepare` refuses is closed before the error reaches the caller.
 *
 * @example
 * const lazy = new LazyTextModel('cross-encoder/ms-marco-MiniLM-L-6-v2', 'reranker', {}, (model) => ({ output: 'logits' }));
 * const { model, output } = await lazy.get(); // loads once
 * await lazy.close();
 */
export class LazyTextModel<T extends object> {
  private loading: Promise<T & { model: TextModel }> | undefined;
  private readonly name: string;
  private readonly role: ModelRole;
  private readonly options: ModelLoadOptions;
  private readonly prepare: (model: TextModel) => T;

  constructor(name: string, role: ModelRole, options: ModelLoadOptions, prepare: (model: TextModel) => T) {
    this.name = name;
    this.role = role;
    this.options = options;
    this.prepare = prepare;
  }

  /** The loaded model and what `prepare` derived from it. */
  get(): Promise<T & { model: TextModel }> {
    if (!this.loading) {
      this.loading = this.load();
      this.loading.catch(() => (this.loading = undefined));
    }
    return this.loading;
  }

  /** Releases the session (after a load in progress finishes); the next `get` loads again. */
  async close(): Promise<void> {
    const loading = this.loading;
    this.loading = undefined;
    const loaded = await loading?.catch(() => undefined);
    if (loaded) await closeSession(loaded.model.session);
  }

  private async load(): Promise<T & { model: TextModel }> {
    const model = await loadTextModel(this.name, this.role, this.options);
    try {
      return { ...this.prepare(model), model };
    } catch (err) {
      await closeSession(model.session);
      throw err;
    }
  }
}
