# a class needs a name
class {
  notice('anonymous')
}
