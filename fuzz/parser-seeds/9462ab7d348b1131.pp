@(END)
   This is
   heredoc text
   | END
