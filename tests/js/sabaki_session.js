// Drives `gogo gtp` through Sabaki's own GTP library (@sabaki/gtp): the start-up sequence,
// play, genmove, analyze for a while, then an interrupting command. Prints one JSON object.
// Usage: node sabaki_session.js ENGINE [ARGS...]   (NODE_PATH must hold @sabaki/gtp)
const {Controller, Command} = require('@sabaki/gtp')

async function main() {
  const [path, ...args] = process.argv.slice(2)
  const engine = new Controller(path, args)
  engine.start()
  const send = line => engine.sendCommand(Command.fromString(line))
  const replies = {}
  for (const line of ['name', 'version', 'protocol_version', 'list_commands', 'boardsize 9',
                      'clear_board', 'komi 6.5', 'play B E5', 'genmove W']) {
    const response = await send(line)
    replies[line] = {error: response.error, content: response.content}
  }
  const infoLines = []
  const analysis = engine.sendCommand(Command.fromString('analyze B 20'), ({line}) => {
    if (line.startsWith('info')) infoLines.push(line)
  })
  await new Promise(resolve => setTimeout(resolve, 2500))
  const interrupt = send('showboard')  // any new command ends the analysis
  const analyzed = await analysis
  const board = await interrupt
  await send('quit')
  await engine.stop()
  console.log(JSON.stringify({replies, analyzeError: analyzed.error, infoLines,
                              showboardError: board.error, showboard: board.content}))
}

main().catch(error => { console.error(error); process.exit(1) })
