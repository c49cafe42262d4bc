node {
  include base
}
