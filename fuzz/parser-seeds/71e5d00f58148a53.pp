import 'nodes/*.pp'

node default {
  include base
}
