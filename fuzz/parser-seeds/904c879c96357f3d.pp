$café = 'x'
$s = 'héllo wörld ✓ 日本語'; }
