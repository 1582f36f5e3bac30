#!/usr/bin/env bash
# crm-cli end to end, as an admin meets it: a messy spreadsheet saved by Chinese
# Excel (GB18030, quotes, a line break inside a cell, bad rows) is imported,
# the bad rows are reported by line, and the good ones are found in Chinese.
# Usage: cli_test.sh PATH/TO/crm-cli
set -uo pipefail
cli=${1:?usage: cli_test.sh CRM_CLI}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # check DESCRIPTION COMMAND...: the command must succeed
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
has() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }

# The fixture: written here, converted to GB18030 as Excel saves it, with CRLF line ends.
printf '%s\r\n' '客户名称,手机,城市,地址,客户类型,备注,生日' \
  '"佛山市美家门窗经销部",139-1234-5678,佛山市,"乐从镇家具城A座, 3楼",经销商,"老板姓陈，说""下月再联系""",' \
  '王堃,13800001111,广州市,天河路1号,个人,"第一行' \
  '第二行",1985-02-28' \
  ',13700002222,深圳市,,经销商,没有名字,' \
  '鑫达建材有限公司,12345,东莞市,,装修公司,电话太短,' \
  '"Golden Window 门窗",+86 137 0000 3333,中山市,,设计师,,03-15' \
  '喆喆五金店,13600004444,珠海市,"长路""号""",,,1990-02-30' > "$work/utf8.csv"
iconv -f UTF-8 -t GB18030 "$work/utf8.csv" > "$work/客户.csv" || { echo "FAIL iconv"; exit 1; }
db=$work/shop.db

check "init creates the database" "$cli" --db "$db" init
"$cli" --db "$db" import "$work/客户.csv" > "$work/out" 2> "$work/err"; rc=$?
check "all-or-nothing import fails with exit 1" test "$rc" -eq 1
check "bad rows are reported by line: no name (line 5, after a two-line cell)" has "$work/err" "line 5: name: required"
check "bad rows are reported by line: short phone" has "$work/err" "line 6: phone"
check "bad rows are reported by line: impossible birthday" has "$work/err" "line 8: birthday"
check "nothing was written" has "$work/out" '"written":false'
check "GB18030 was detected" has "$work/out" '"encoding":"gb18030"'

"$cli" --db "$db" import "$work/客户.csv" --valid-only > "$work/out" 2> "$work/err"; rc=$?
check "--valid-only imports the good rows" test "$rc" -eq 0
check "three good rows" has "$work/out" '"created":3'

"$cli" --db "$db" search 美家 > "$work/found"
check "a two-character Chinese substring finds the dealer" has "$work/found" "佛山市美家门窗经销部"
"$cli" --db "$db" search 堃 > "$work/found"
check "a rare one-character name is found" has "$work/found" "王堃"
"$cli" --db "$db" search 第二行 > "$work/found"
check "notes are not searched as names" lacks "$work/found" "王堃"
"$cli" --db "$db" search "139 1234 5678" > "$work/found"
check "a phone typed with spaces is an exact match" has "$work/found" $'\tphone'
"$cli" --db "$db" search 门窗 > "$work/found"
check "门窗 finds both door-and-window customers" test "$(wc -l < "$work/found")" -eq 2
"$cli" --db "$db" search GOLDEN > "$work/found"
check "Latin search ignores case" has "$work/found" "Golden Window 门窗"

"$cli" --db "$db" due --window upcoming > "$work/due"
check "every imported customer has its first follow-up planned" test "$(wc -l < "$work/due")" -eq 3

keep=$("$cli" --db "$db" search 美家 | cut -f1)
drop=$("$cli" --db "$db" search 王堃 | cut -f1)
"$cli" --db "$db" merge "$keep" "$drop" > "$work/merge"; rc=$?
check "merge succeeds" test "$rc" -eq 0
check "merge moves the phone" has "$work/merge" '"customer_phones":1'
"$cli" --db "$db" search 13800001111 > "$work/found"
check "the merged customer's phone now finds the kept one" has "$work/found" "佛山市美家门窗经销部"
"$cli" --db "$db" merge "$keep" "$drop" 2> "$work/err"; rc=$?
check "merging twice fails with a reason" test "$rc" -eq 1 -a -s "$work/err"

"$cli" --db "$db" export "$work/导出.csv" > /dev/null
check "export starts with a UTF-8 BOM" test "$(head -c 3 "$work/导出.csv" | od -An -tx1 | tr -d ' ')" = "efbbbf"
check "export keeps Chinese" has "$work/导出.csv" "佛山市美家门窗经销部"

"$cli" --db "$db" search 2> /dev/null; rc=$?
check "search without text is a usage error (exit 2)" test "$rc" -eq 2
"$cli" --db "$db" frobnicate 2> /dev/null; rc=$?
check "an unknown command is a usage error (exit 2)" test "$rc" -eq 2
printf '\xff\xfe\x00garbage' > "$work/bad.db"
"$cli" --db "$work/bad.db" info 2> "$work/err"; rc=$?
check "a file that is not a database fails clearly" test "$rc" -eq 1 -a -s "$work/err"

if ((failures)); then echo "$failures check(s) failed"; exit 1; fi
echo "all crm-cli checks passed"
