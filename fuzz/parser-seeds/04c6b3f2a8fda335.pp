    @("END"/t)
    Hello \$name
    |- END
