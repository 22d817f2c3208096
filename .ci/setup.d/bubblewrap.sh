#!/usr/bin/env bash
# `agent-runner run` sandboxes the model's commands with bubblewrap by default, and the sandbox
# suites (test/security/sandbox.test.ts, test/integration/cli-sandbox.test.ts,
# test/integration/sandbox-shell.test.ts) run it for real. Installs Debian's bubblewrap when
# missing, then checks that it can create the namespaces the sandbox uses. Idempotent.
set -euo pipefail
if ! command -v bwrap >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq bubblewrap >/dev/null ||
    { $sudo apt-get -o DPkg::Lock::Timeout=900 update -qq && $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq bubblewrap >/dev/null; }
fi
if ! err=$(bwrap --ro-bind / / --dev /dev --proc /proc --unshare-user --unshare-pid --unshare-net --die-with-parent /bin/true 2>&1); then
  echo "bubblewrap is installed but cannot create a sandbox here: $err" >&2
  echo "It needs unprivileged user namespaces (sysctl user.max_user_namespaces > 0; on Ubuntu 24.04 kernel.apparmor_restrict_unprivileged_userns=0)." >&2
  exit 1
fi
