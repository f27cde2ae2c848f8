import type { Command } from 'commander';

/** Registers every command on the program. Add a command by importing its `register` here. */
export function registerCommands(program: Command): void {
  void program;
}
