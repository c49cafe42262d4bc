    @("END")
    Hello \$name
    |- END
