# e + U+0301 COMBINING ACUTE: 2 code points, 1 grapheme
$e = 'éé'; )
