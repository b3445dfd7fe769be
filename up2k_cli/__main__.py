from up2k_cli.entry import run

run()
