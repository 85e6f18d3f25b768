#!/usr/bin/env bash
# Tears every lab customer down to nothing: all Compose projects `lightrag-*`
# (containers, networks, volumes) and the lab base folder. Images and the
# stand-ins stay, so `lab/seed.yml` can start again from scratch.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

OVERRIDES=$REPO_DIR/inventories/lab/group_vars/h200/zz_lab_overrides.yml
BASE=${LAB_BASE_DIR:-$(awk '/^lightrag_pg_base_dir:/{print $2}' "$OVERRIDES")}
# Never let a typo point this at the production folder.
case "$BASE" in
  /srv/loomgraph-lab/*) ;;
  *) die "refusing to remove '$BASE': the lab base dir must be under /srv/loomgraph-lab/" ;;
esac

projects=$(docker compose ls --all --format json \
  | python3 -c 'import json,sys; print("\n".join(p["Name"] for p in json.load(sys.stdin)))' \
  | grep '^lightrag-' || true)
for p in $projects; do
  run "reset-$p" docker compose -p "$p" down --volumes --remove-orphans --timeout 10
done

# Whatever `down` could not see without the project's file (or a crash left).
leftovers() {
  local all=() labels=.Labels
  [ "$1" = container ] && all=(-a) labels=.Config.Labels
  docker "$1" ls -q "${all[@]}" --filter label=com.docker.compose.project | while read -r id; do
    case "$(docker "$1" inspect -f "{{ index $labels \"com.docker.compose.project\" }}" "$id")" in
      lightrag-*) echo "$id" ;;
    esac
  done
}
for kind in container volume network; do
  ids=$(leftovers "$kind")
  force=(); [ "$kind" = container ] && force=(-f)
  # shellcheck disable=SC2086  # one id per word
  [ -z "$ids" ] || run "reset-$kind" docker "$kind" rm "${force[@]}" $ids
done

rm -rf "$BASE"
