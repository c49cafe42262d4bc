    @(END)
AAA
 BBB
  CCC
   DDD
    EEE
     FFF
    |- END
