/* cli.h - the command line's entry point, called by main().
 *
 * Parses argv, reads the config file, resolves the engine endpoint and runs
 * one subcommand, or the console when no subcommand is given and stdin and
 * stdout are terminals. Returns the process exit code (the table in
 * `deeplens-backup --help`); it never exits on its own.
 */
#ifndef DEEPLENS_CLI_CLI_H
#define DEEPLENS_CLI_CLI_H

int dl_cli_main(int argc, char **argv);

#endif
