$h = {
  'key' = 'value',
}
