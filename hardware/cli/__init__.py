"""``qsympass`` subcommands that run on backends, registered through entry points."""
