/* SPDX-License-Identifier: MIT */
/*
 * commands.h - the subcommands that work on finished reports:
 *   ptraudit diff OLD NEW      what became worse or better between two runs
 *   ptraudit merge -o OUT R... one report from shards, every target once
 *   ptraudit summary R...      counts per verdict and flag, per prefix/column
 *   ptraudit schema            the JSON Schema of a JSON-lines report row
 * Each takes the argv that follows the subcommand name (argv[0] is the
 * subcommand) and returns the process exit status; main() only dispatches.
 * Exit statuses follow the main command (enum cmd_exit, cmdutil.h): 0 ok,
 * 1 findings (diff: something became worse), 2 usage or input error,
 * 3 runtime error.
 */
#ifndef PTRAUDIT_COMMANDS_H
#define PTRAUDIT_COMMANDS_H

int command_diff(int argc, char **argv);
int command_merge(int argc, char **argv);
int command_summary(int argc, char **argv);
int command_schema(int argc, char **argv);

#endif
