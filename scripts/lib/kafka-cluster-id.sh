# new_cluster_id [random source]: prints a new Kafka cluster id, 16 random bytes in unpadded URL-safe
# base64 (22 characters), as `kafka-storage random-uuid` would, without starting a JVM.
#
# Like Kafka's Uuid.randomUuid(), it draws again when the id starts with '-' (1 draw in 64): the
# storage tool's argument parser reads `-t -Abc…` as an option and fails with "argument
# --cluster-id/-t: expected one argument". The source (default /dev/urandom) is read 16 bytes a draw.
new_cluster_id() {
  local src="${1:-/dev/urandom}" fd id
  exec {fd}<"$src" || return 1
  while id="$(dd bs=16 count=1 status=none <&"$fd" | base64 | tr '+/' '-_' | tr -d '=\n')" && [[ "$id" == -* ]]; do
    :
  done
  exec {fd}<&-
  if [[ ! "$id" =~ ^[A-Za-z0-9_][A-Za-z0-9_-]{21}$ ]]; then
    printf 'new_cluster_id: %s gave no 16-byte draw that does not start with "-"\n' "$src" >&2
    return 1
  fi
  printf '%s\n' "$id"
}
