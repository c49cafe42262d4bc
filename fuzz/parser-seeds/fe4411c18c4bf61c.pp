# astral-plane characters (4 bytes in UTF-8, 2 UTF-16 units)
$e = '😀😀'; )
