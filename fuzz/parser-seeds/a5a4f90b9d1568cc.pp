class app (
  String $user = 'app'
  Integer $port = 8080,
) {
  notice($user)
}
