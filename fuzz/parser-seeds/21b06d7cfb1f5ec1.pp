$t = @(END)
  alpha
  beta
  | END
$u = [1 2]
