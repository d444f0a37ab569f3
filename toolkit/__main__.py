from toolkit.cli.entry import main

main()
