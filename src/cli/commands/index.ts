import type { Command } from 'commander';
import { registerRerank } from './rerank.js';
import { registerModels } from './models.js';
import { registerIngest } from './ingest.js';
import { registerSearch } from './search.js';
import { registerServe } from './serve.js';
import { registerAsk } from './ask.js';
import { registerMigrate } from './migrate.js';
import { registerQuery } from './query.js';
import { registerEval } from './eval.js';
import { registerMcp } from './mcp.js';

/** Registers every command on the program. Add a command by importing its `register` here. */
export function registerCommands(program: Command): void {
  registerRerank(program);
  registerModels(program);
  registerIngest(program);
  registerSearch(program);
  registerServe(program);
  registerQuery(program);
  registerEval(program);
  registerAsk(program);
  registerMigrate(program);
  registerMcp(program);
}
