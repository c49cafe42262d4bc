$enabled = true
if $enabled
  notice('on')
