export { createLabelledJudge, containsAnswer, sourceMatches } from './labelled-judge.js';
export { loadBeirDataset, type LoadBeirOptions } from './load-beir-dataset.js';
export {
  loadLabelledQueries,
  type LabelledDataset,
  type LabelledQuery,
  type LoadLabelledOptions,
} from './load-labelled-queries.js';
export { readLines, type NumberedLine } from './read-lines.js';
export { readQrels } from './read-qrels.js';
