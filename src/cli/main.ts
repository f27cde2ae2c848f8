#!/usr/bin/env node
/**
 * The `sift` command line. Each command lives in `commands/<name>.ts` and registers itself on
 * the program; this file only wires them and parses argv.
 */
import { Command, CommanderError } from 'commander';
import { EXIT } from './run-command.js';
import { registerCommands } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command('sift')
    .description('Retrieve-then-rerank search and RAG: a fast bi-encoder scout, a local cross-encoder judge.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version requests exit 0; anything else commander rejects is a usage error.
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    throw err;
  }
}

await main(process.argv);
