#!/bin/bash
# SPDX-License-Identifier: MIT
# it_shards.sh - --shard K/N with and without --seed: N real runs over the
# same inputs (a CIDR block, a range across a /24 boundary, a file list, an
# inventory) cover every target exactly once, the shards are balanced, and
# `ptraudit merge` joins them into one report ordered by address.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"
start_testnet --smtp-any
R=(-r "127.0.0.1:$DNS" --smtp-port "$SMTP" --dns-timeout 500 --smtp-timeout 1500 --rate 0 -q
   --fail-on never)
ips() { { zcat -f "$@" 2>/dev/null || true; } | grep -v '^ip,' | cut -d, -f1; }

printf '127.96.50.0/29\n127.96.51.250-127.96.52.3\n' > list.txt
expect=$( { for i in $(seq 0 255); do echo 127.96.40.$i; done
            for i in $(seq 200 255); do echo 127.96.41.$i; done
            for i in $(seq 0 20); do echo 127.96.42.$i; done
            for i in $(seq 0 7); do echo 127.96.50.$i; done
            for i in $(seq 250 255); do echo 127.96.51.$i; done
            for i in $(seq 0 3); do echo 127.96.52.$i; done; } | sort)
total=$(printf '%s\n' "$expect" | wc -l)

for seed in none 7; do
  sargs=(); [ "$seed" = none ] || sargs=(--seed "$seed")
  for k in 1 2 3 4; do
    "$PTRAUDIT" "${R[@]}" "${sargs[@]}" --shard "$k/4" -o "s$seed-$k.csv.gz" \
      127.96.40.0/24 127.96.41.200-127.96.42.20 @list.txt
    check "seed $seed: shard $k/4 exit 0" 0 "$?"
  done
  check "seed $seed: shards 1..4 cover every target exactly once ($total)" "$expect" \
    "$(ips s$seed-*.csv.gz | sort)"
  sizes=$(for k in 1 2 3 4; do ips "s$seed-$k.csv.gz" | wc -l; done | sort -n | tr '\n' ' ')
  check_match "seed $seed: shards balanced (sizes differ by at most 1)" \
    "^(87 87 88 88 |88 88 88 88 |87 88 88 88 |87 87 87 88 ) ?$" "$sizes"
done
check "seed changes the order within a shard" 1 \
  "$( [ "$(ips snone-1.csv.gz | head -20)" != "$(ips s7-1.csv.gz | head -20)" ] && echo 1 || echo 0)"

"$PTRAUDIT" merge -o merged.csv.gz s7-1.csv.gz s7-2.csv.gz s7-3.csv.gz s7-4.csv.gz
check "merge of the 4 shards: exit 0" 0 "$?"
check "merge: every target once, ordered by address" \
  "$(printf '%s\n' "$expect" | sort -t. -k1,1n -k2,2n -k3,3n -k4,4n)" "$(ips merged.csv.gz)"

# An inventory: rows are dealt out by their position, invalid rows included.
{ echo "customer,ip"; for i in $(seq 1 30); do echo "c$i,127.96.60.$i"; done; echo "bad,nope"; } > inv.csv
for k in 1 2 3; do "$PTRAUDIT" "${R[@]}" --shard "$k/3" -o "inv-$k.csv" -i inv.csv; done
check "inventory shards: every row exactly once (31 rows, invalid included)" \
  "$( (for i in $(seq 1 30); do echo 127.96.60.$i; done; echo nope) | sort)" \
  "$(ips inv-1.csv inv-2.csv inv-3.csv | sort)"
check "inventory shards: customer column kept" "c7" \
  "$(cat inv-*.csv | grep '^127.96.60.7,' | awk -F, '{print $NF}')"

"$PTRAUDIT" "${R[@]}" --shard 0/4 -o - 127.96.40.0/24 2>/dev/null
check "--shard 0/4: exit 2" 2 "$?"
finish
