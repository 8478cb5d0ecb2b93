from channelxl.cli import main

main()
