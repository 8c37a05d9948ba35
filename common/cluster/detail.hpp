#pragma once
// The building blocks of the cluster units that unit tests and the project layer reach
// without a server: postmaster.pid and process probes, the written configuration, damage
// classification, the template cache key and the tree copy.
#include "common/cluster/conf.hpp"
#include "common/cluster/damage.hpp"
#include "common/cluster/pidfile.hpp"
#include "common/cluster/template_cache.hpp"
#include "common/cluster/tree.hpp"
