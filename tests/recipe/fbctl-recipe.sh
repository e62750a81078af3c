#!/usr/bin/env bash
# fbctl-recipe.sh FBCTL SOURCE_DIR: `fbctl validate` and `fbctl plan` as a
# user runs them. validate: exit 0 and a summary on an example, exit 3 with
# path and line:column on a broken recipe, exit 2 on a bad command line.
# plan --out: the scripts written are byte for byte the golden files.
set -euo pipefail
fbctl=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$fbctl" validate "$src/recipes/examples/local-redis.yaml")
[ "$out" = "$src/recipes/examples/local-redis.yaml: valid; 1 service(s), 1 client(s), 3 trial(s) in 1 service group(s)" ] || fail "validate said: $out"

printf 'version: 1\nservices:\n  - name: a\n    kind: redys\n' > "$tmp/bad.yaml"
rc=0; err=$("$fbctl" validate "$tmp/bad.yaml" 2>&1) || rc=$?
[ "$rc" = 3 ] || fail "validate of a broken recipe exited $rc"
case "$err" in *'services[0].kind: expected one of'*'got "redys"; did you mean "redis"? (bad.yaml:4:11)'*) ;; *) fail "validate said: $err" ;; esac

# With a profile: what the recipe needs that the cluster lacks is a warning
# naming the profile; the recipe stays valid (exit 0).
sed 's|^    container: none|    container: {sif: /images/redis.sif}|' "$src/recipes/examples/local-redis.yaml" > "$tmp/sif.yaml"
grep -q 'sif: /images/redis.sif' "$tmp/sif.yaml" || fail "could not make the container recipe"
printf '{"name": "noapptainer", "host": "127.0.0.1", "user": "u", "tools": {"apptainer": false, "modules": false}}\n' > "$tmp/profile.json"
rc=0; out=$("$fbctl" validate "$tmp/sif.yaml" --profile-file "$tmp/profile.json" 2>&1) || rc=$?
[ "$rc" = 0 ] || fail "validate with a profile exited $rc: $out"
case "$out" in *'warning: '*'noapptainer'*'valid;'*) ;; *) fail "validate with a profile lacking Apptainer said: $out" ;; esac
out=$("$fbctl" validate "$tmp/sif.yaml" 2>&1)
case "$out" in *warning*) fail "validate without a profile warned: $out" ;; esac
rc=0; "$fbctl" validate "$tmp/sif.yaml" --profile-file "$tmp/missing.json" >/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "validate with a missing profile file exited $rc"

rc=0; "$fbctl" validate >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "validate without a file exited $rc"
rc=0; "$fbctl" plan "$src/recipes/examples/local-redis.yaml" --trial 9 >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "plan --trial 9 of 3 exited $rc"

# Each trial with services of its own (sweep.reuse_services: false): the
# golden files, which are generated trial by trial.
grep -q '^sweep:' "$src/recipes/examples/local-redis.yaml" && fail "local-redis.yaml has a sweep section now: set reuse_services in it"
{ cat "$src/recipes/examples/local-redis.yaml"; printf 'sweep:\n  reuse_services: false\n'; } > "$tmp/own.yaml"
"$fbctl" plan "$tmp/own.yaml" --out "$tmp/plan" >/dev/null
for t in t001 t003; do
  diff -r "$src/tests/recipe/golden/local-redis/$t" "$tmp/plan/$t" || fail "plan --out differs from the golden files ($t)"
done
[ "$(ls "$tmp/plan")" = "$(printf 't001\nt002\nt003')" ] || fail "plan --out wrote: $(ls "$tmp/plan")"

# With reuse (the default): the service once, in the group's folder; the trials' clients look there.
"$fbctl" plan "$src/recipes/examples/local-redis.yaml" --out "$tmp/shared" >/dev/null
[ "$(ls "$tmp/shared")" = "$(printf 'g01\nt001\nt002\nt003')" ] || fail "plan --out with reuse wrote: $(ls "$tmp/shared")"
[ "$(ls "$tmp/shared/g01")" = service-redis.sbatch ] || fail "the group folder holds: $(ls "$tmp/shared/g01")"
[ ! -e "$tmp/shared/t001/service-redis.sbatch" ] || fail "a trial of a group has a service script of its own"
grep -q "^export FB_SERVICES_DIR=.*/g01'$" "$tmp/shared/t002/client-kv.sbatch" || fail "the client does not look for the endpoint in the group's folder"

out=$("$fbctl" plan "$src/recipes/examples/local-redis.yaml" --trial 3)
case "$out" in *"===== g01/service-redis.sbatch ====="*"===== t003/client-kv.sbatch ====="*) ;; *) fail "plan --trial 3 printed no g01/t003 scripts" ;; esac
case "$out" in *"3 trial(s) in 1 service group(s)"*"without service reuse"*"g01  services redis"*) ;; *) fail "plan printed no groups: $out" ;; esac
echo "fbctl validate/plan: ok"
