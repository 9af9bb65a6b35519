#!/usr/bin/env bash
# Exit 0 when Port 8000 may deploy, 1 when the deploy freeze holds (or cannot be read: a
# freeze nobody can see is not assumed lifted). FREEZE_OVERRIDE="<reason>" deploys anyway.
set -euo pipefail
: "${FREEZE_URL:?FREEZE_URL is required}" "${FREEZE_TOKEN:?FREEZE_TOKEN is required}"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
status="$(curl -sS --max-time 15 -o "$body" -w '%{http_code}' \
  -H "Authorization: Bearer ${FREEZE_TOKEN}" "${FREEZE_URL%/}/freeze")" || true
# curl writes 000 itself when it gets no answer.
status="${status:-000}"
case "$status" in
  200)
    echo "No deploy freeze: deploying."
    exit 0
    ;;
  423)
    message="Deploy freeze in effect: $(cat "$body")"
    ;;
  *)
    message="Cannot read the deploy freeze (HTTP ${status}): $(cat "$body" 2>/dev/null || true)"
    ;;
esac
if [ -n "${FREEZE_OVERRIDE:-}" ]; then
  echo "::warning::${message} Deploying anyway, override reason: ${FREEZE_OVERRIDE}"
  exit 0
fi
echo "::error::${message} It lifts when the disk alert resolves; set override-reason to deploy anyway."
exit 1
