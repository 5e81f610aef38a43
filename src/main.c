/* main.c - argv to a CLI subcommand or the console (see src/cli/cli.h). */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return dl_cli_main(argc, argv);
}
