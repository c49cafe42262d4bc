$a = 1
$s = 'héllo wörld ✓ 日本語'; }
