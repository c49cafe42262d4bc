$xxxxxxx = @("END")
${facts['os']['family']}
XXXXXXX XXX
END
