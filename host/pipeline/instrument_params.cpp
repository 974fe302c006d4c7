#include "host/pipeline/instrument_params.hpp"

#include <fmt/format.h>

#include "core/funding_presets.hpp"

namespace pw {

const char* params_error_name(ParamsError e) {
  switch (e) {
    case ParamsError::ok: return "ok";
    case ParamsError::funding_interval: return "funding interval must be positive (offset within it)";
    case ParamsError::sample_interval: return "sample interval must be positive and divide the funding interval";
    case ParamsError::impact_notional: return "impact notional must be positive";
    case ParamsError::clamp: return "clamp must not be negative";
    case ParamsError::cap_floor: return "floor must be ≤ 0 and ≤ cap";
    case ParamsError::rate_divisor: return "rate divisor must be ≥ 1";
    case ParamsError::moving_average: return "moving-average window must hold 1 to 320 samples (EMA: positive spacing and time constant)";
    case ParamsError::rate_ema: return "rate EMA weight must be within 0 … 1";
    case ParamsError::enum_value: return "unknown averaging, premium form, index or risk source";
  }
  return "invalid";
}

bool mark_params_for(const InstrumentConfig& in, const RiskConfig& risk, MarkFundingParams& p, std::string& error) {
  if (!preset_by_name(in.preset.c_str(), p)) {
    error = fmt::format("instrument {}: unknown mark/funding preset '{}'", in.symbol, in.preset);
    return false;
  }
  const MarkFundingOverrides& o = in.mark;
  if (o.funding_interval_ns) p.funding_interval_ns = *o.funding_interval_ns;
  if (o.sample_interval_ns) p.sample_interval_ns = *o.sample_interval_ns;
  if (o.impact_notional) p.impact_notional = *o.impact_notional;
  if (o.interest_rate) p.interest_rate = *o.interest_rate;
  if (o.clamp) p.clamp = *o.clamp;
  if (o.cap) p.cap = *o.cap;
  if (o.ma_window_ns) p.ma_window_ns = *o.ma_window_ns;
  if (o.ma_sample_ns) p.ma_sample_ns = *o.ma_sample_ns;
  if (risk.funding_source)
    p.risk_source = (uint8_t)(*risk.funding_source == FundingSource::exchange ? ValueSource::exchange : ValueSource::own);
  const ParamsError e = validate(p);
  if (e != ParamsError::ok) {
    error = fmt::format("instrument {}: mark/funding parameters: {}", in.symbol, params_error_name(e));
    return false;
  }
  return true;
}

}  // namespace pw
