// All named techniques, the path generator and the protocol (convenience header).
#pragma once

#include "libtissue/technique/kneading.hpp"
#include "libtissue/technique/path.hpp"
#include "libtissue/technique/percussion.hpp"
#include "libtissue/technique/protocol.hpp"
#include "libtissue/technique/static_compression.hpp"
#include "libtissue/technique/stroking.hpp"
#include "libtissue/technique/technique.hpp"
#include "libtissue/technique/thermal_techniques.hpp"
#include "libtissue/technique/transverse_friction.hpp"
