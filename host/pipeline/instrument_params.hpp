// The mark/funding parameters of a configured instrument: its preset (core/funding_presets.hpp)
// with the config's overrides and the risk section's choice of funding source applied.
#pragma once
#include <string>

#include "core/mark_funding.hpp"
#include "host/config/config.hpp"

namespace pw {

// False with `error` naming the instrument and the parameter when the result does not validate.
bool mark_params_for(const InstrumentConfig& in, const RiskConfig& risk, MarkFundingParams& out, std::string& error);

const char* params_error_name(ParamsError e);

}  // namespace pw
