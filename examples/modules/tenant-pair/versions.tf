terraform {
  # check blocks need Terraform 1.5 (the provider itself supports 1.0.3 and later).
  required_version = ">= 1.5.0"
  required_providers {
    coexistence = {
      source                = "coexistence/coexistence"
      configuration_aliases = [coexistence.a, coexistence.b]
    }
  }
}
