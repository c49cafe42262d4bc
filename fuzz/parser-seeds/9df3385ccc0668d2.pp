User <| title == 'root'
notice('x')
