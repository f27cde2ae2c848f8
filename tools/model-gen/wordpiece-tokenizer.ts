/**
 * A small WordPiece `tokenizer.json` the project writes itself, for generated test models: the shape
 * of the bert-base-uncased exports (BertNormalizer with lowercasing, BertPreTokenizer, WordPiece with
 * `##` continuations, a TemplateProcessing post-processor with token type ids, no truncation or
 * padding) over a made-up vocabulary, so tests that need *a* tokenizer run on any machine.
 *
 * The vocabulary has exactly `vocabSize` entries, as many as the model's embedding table has rows,
 * so every id the tokenizer emits is a valid input and `config.json`'s `vocab_size` is the truth.
 * Ids follow bert-base-uncased's layout: [PAD]=0, [unused0..98]=1..99, [UNK]=100, [CLS]=101,
 * [SEP]=102, [MASK]=103. Then every lowercase letter, digit and ASCII punctuation mark (alone and as
 * a `##` continuation for letters and digits), common English words, every two-letter piece (word
 * start and `##`), every three-letter word start; what is left is reserved `[unusedN]` slots, as
 * real BERT vocabularies have. Any ASCII text therefore tokenizes without [UNK]; other scripts give
 * [UNK] per word. The token ids carry no meaning beyond that: they are for random-weight models.
 */

/** The special tokens, in bert-base-uncased's order and ids. */
export const SPECIAL_TOKENS = { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' } as const;

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** Frequent English words (and a few the test texts lean on), whole tokens as in a real vocabulary. */
const WORDS = `the of and to a in is it you that he was for on are with as his they be at one have this from
or had by not word but what some we can out other were all there when up use your how said an each she which
do their time if will way about many then them write would like so these her long make thing see him two has
look more day could go come did number sound no most people my over know water than call first who may down
side been now find any new work part take get place made live where after back little only round man year came
show every good me give our under name very through just form sentence great think say help low line differ turn
cause much mean before move right boy old too same tell does set three want air well also play small end put
home read hand port large spell add even land here must big high such follow act why ask men change went light
kind off need house picture try us again animal point mother world near build self earth father head stand own
page should country found answer school grow study still learn plant cover food sun four between state keep eye
never last let thought city tree cross farm hard start might story saw far sea draw left late run while press
close night real life few north open seem together next white children begin got walk example ease paper group
always music those both mark often letter until mile river car feet care second book carry took science eat room
friend began idea fish mountain stop once base hear horse cut sure watch color face wood main enough plain girl
usual young ready above ever red list though feel talk bird soon body dog family direct pose leave song measure
door product black short numeral class wind question happen complete ship area half rock order fire south problem
piece told knew pass since top whole king space heard best hour better true during hundred five remember step
early hold west ground interest reach fast verb sing listen six table travel less morning ten simple several
vowel toward war lay against pattern slow center love person money serve appear road map rain rule govern pull
cold notice voice unit power town fine certain fly fall lead cry dark machine note wait plan figure star box noun
field rest correct able pound done beauty drive stood contain front teach week final gave green quick develop
ocean warm free minute strong special mind behind clear tail produce fact street inch multiply nothing course
stay wheel full force blue object decide surface deep moon island foot system busy test record boat common gold
possible plane stead dry wonder laugh thousand ago ran check game shape equate hot miss brought heat snow tire
bring yes distant fill east paint language among berlin paris london germany france capital population million
largest search query document documents password reset model models rerank ranking score result results
information data answer answers source sources chunk chunks passage passages text file files hello zebra
grass covers wide falls spring lions shade drinks animals herd moves season naive counts roughly`;

/** Every string of `length` lowercase letters, in alphabetical order. */
function letterStrings(length: number): string[] {
  let out = [''];
  for (let i = 0; i < length; i++) out = out.flatMap((s) => [...LETTERS].map((c) => s + c));
  return out;
}

/** The pieces every vocabulary must hold so that any ASCII word tokenizes without [UNK]. */
function corePieces(): string[] {
  const alnum = [...LETTERS, ...DIGITS];
  return [...alnum, ...alnum.map((c) => `##${c}`)];
}

/**
 * The vocabulary, `vocabSize` distinct tokens in id order.
 *
 * @example wordPieceVocab(30522).slice(100, 106) // ['[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b']
 */
export function wordPieceVocab(vocabSize: number): string[] {
  const head = [
    SPECIAL_TOKENS.pad,
    ...Array.from({ length: 99 }, (_, i) => `[unused${i}]`),
    SPECIAL_TOKENS.unk,
    SPECIAL_TOKENS.cls,
    SPECIAL_TOKENS.sep,
    SPECIAL_TOKENS.mask,
  ];
  const minimum = head.length + corePieces().length;
  if (!Number.isInteger(vocabSize) || vocabSize < minimum) {
    throw new Error(
      `a generated WordPiece vocabulary needs at least ${minimum} tokens (specials, letters, digits), got vocabSize ${vocabSize}`,
    );
  }
  const two = letterStrings(2);
  const ordered = [
    ...head,
    ...corePieces(),
    ...PUNCTUATION,
    ...WORDS.split(/\s+/).filter((w) => w.length > 0),
    ...two,
    ...two.map((p) => `##${p}`),
    ...letterStrings(3),
  ];
  const vocab = [...new Set(ordered)].slice(0, vocabSize);
  for (let n = 99; vocab.length < vocabSize; n++) vocab.push(`[unused${n}]`);
  return vocab;
}

/**
 * The `tokenizer.json` of a generated model with a `vocabSize`-token vocabulary, loadable by
 * `@huggingface/tokenizers` and the Rust `tokenizers` library like a real bert-base-uncased export.
 *
 * @example
 * const json = wordPieceTokenizerJson(30522);
 * json.model.vocab['[CLS]'] // 101
 */
export function wordPieceTokenizerJson(
  vocabSize: number,
): Record<string, unknown> & { model: Record<string, unknown> & { vocab: Record<string, number> } } {
  const vocab = wordPieceVocab(vocabSize);
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]));
  const id = (token: string): number => ids[token]!;
  const special = (content: string) => ({
    id: id(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const { pad, unk, cls, sep, mask } = SPECIAL_TOKENS;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [pad, unk, cls, sep, mask].map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: sep, type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: sep, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: sep, type_id: 1 } },
      ],
      special_tokens: {
        [cls]: { id: cls, ids: [id(cls)], tokens: [cls] },
        [sep]: { id: sep, ids: [id(sep)], tokens: [sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: unk,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
}

/** The `tokenizer_config.json` of a bert-base-uncased WordPiece export (what transformers' BertTokenizer reads). */
export const BERT_TOKENIZER_CONFIG = {
  tokenizer_class: 'BertTokenizer',
  do_lower_case: true,
  model_max_length: 512,
  pad_token: SPECIAL_TOKENS.pad,
  cls_token: SPECIAL_TOKENS.cls,
  sep_token: SPECIAL_TOKENS.sep,
  unk_token: SPECIAL_TOKENS.unk,
  mask_token: SPECIAL_TOKENS.mask,
} as const;
