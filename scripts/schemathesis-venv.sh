#!/usr/bin/env bash
# Installs schemathesis (the pinned, hash-checked set in scripts/schemathesis-requirements.txt)
# from PyPI into the project-local virtualenv .venv-fuzz/ and prints the path of its `st`.
# A no-op when the venv already holds exactly that set. chaos/test/api-fuzz.test.ts runs it.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
requirements="$root/scripts/schemathesis-requirements.txt"
venv="${FAULTLINE_FUZZ_VENV:-$root/.venv-fuzz}"
st="$venv/bin/st"
# The stamp names the requirements it was built from: a changed pin rebuilds the venv.
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
stamp="$venv/.requirements.sha256"

if [ -x "$st" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "$st"
  exit 0
fi

python="$(command -v python3 || true)"
if [ -z "$python" ] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "schemathesis-venv: python3 >= 3.10 (with its venv module) is needed to install schemathesis; found: ${python:-none}" >&2
  echo "schemathesis-venv: on Debian: apt-get install python3 python3-venv, then rerun $0" >&2
  exit 1
fi

# One install at a time (make and a test may start it together); whoever waited finds it done.
mkdir -p "$venv"
exec 9>"$venv/.lock"
flock 9
if [ -x "$st" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "$st"
  exit 0
fi

echo "schemathesis-venv: installing schemathesis from PyPI into $venv" >&2
rm -f "$stamp"
log="$venv/install.log"
# No --clear: it would delete the lock held above; pip replaces any package pinned differently.
if ! "$python" -m venv "$venv" >"$log" 2>&1; then
  echo "schemathesis-venv: could not create the virtualenv (is python3-venv installed?):" >&2
  tail -n 5 "$log" >&2
  exit 1
fi
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input --require-hashes \
  --only-binary=:all: -r "$requirements" >>"$log" 2>&1; then
  echo "schemathesis-venv: pip could not install $requirements (is PyPI reachable?); last lines of $log:" >&2
  tail -n 15 "$log" >&2
  exit 1
fi
echo "$want" >"$stamp"
rm -f "$log"
echo "schemathesis-venv: installed $("$st" --version 2>/dev/null || echo schemathesis)" >&2
echo "$st"
