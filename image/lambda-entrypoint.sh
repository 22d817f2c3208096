#!/bin/sh
# The image's entrypoint, as the Lambda base images' own: the command (CMD, or the function's
# ImageConfig.Command) names the handler; the official Runtime Interface Client serves it.
# aws-lambda-ric 4 reads the handler from _HANDLER and the code's folder from LAMBDA_TASK_ROOT.
set -e
if [ $# -ne 1 ]; then
  echo "lambda-entrypoint.sh: the command must be the handler, e.g. index.handler" >&2
  exit 142
fi
export _HANDLER="$1"
export LAMBDA_TASK_ROOT="${LAMBDA_TASK_ROOT:-$PWD}"
exec node /opt/aws-lambda-ric/node_modules/aws-lambda-ric/index.mjs
