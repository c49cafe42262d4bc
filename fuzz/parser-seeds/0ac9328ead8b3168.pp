    # line one
    # line two
    @("END"/L)
    First Line\
    Second Line
  x Third Line ${facts]}
    |- END
    # line 8
    # line 9
