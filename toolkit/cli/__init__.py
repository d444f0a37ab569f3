"""The command line: typer faces over the commands, one runner, the options, the generated docs."""
