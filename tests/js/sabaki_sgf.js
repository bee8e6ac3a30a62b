// Reads an SGF file with Sabaki's own parser (@sabaki/sgf) and prints what a reviewer sees of it,
// as JSON: the main line's moves and comments, and the variations (first node's move and comment).
const sgf = require("@sabaki/sgf");

const [root] = sgf.parseFile(process.argv[2]);
const main = [];
const variations = [];
for (let node = root; node; node = node.children[0]) {
  main.push({move: node.data.B || node.data.W || null, comment: node.data.C ? node.data.C[0] : null});
  for (const other of node.children.slice(1)) {
    variations.push({after: main.length - 1, color: other.data.B ? "B" : "W", move: (other.data.B || other.data.W)[0],
                     comment: other.data.C ? other.data.C[0] : null});
  }
}
console.log(JSON.stringify({main, variations}));
