#!/bin/sh
# Makes the committed audio fixtures in test/fixtures/audio/ (run from the repository root):
#   speech.wav        the source: espeak-ng saying a few words, mono 16-bit, 22050 Hz, ~2 s,
#                     with a quiet 440 Hz tone mixed under it (so every format has steady tonal
#                     content to compare, not only the speech formants)
#   speech-stereo.wav the same sound on the left, a 1 kHz tone on the right, 22050 Hz
#   speech.mp3        LAME VBR (-q:a 4), keeps its Xing/LAME header (frame count, encoder delay)
#   speech.flac       FLAC level 5
#   speech.ogg        Ogg Vorbis (-q:a 3)
#   speech.opus       Ogg Opus, 32 kbit/s (decodes at 48 kHz, as every Opus stream does)
#   speech-stereo.mp3 / .flac  the stereo source, to check the mix-down of each decoder
#   speech-tail.wav/.flac/.opus  speech.wav cut to 4 FLAC blocks (4 x 4608 samples) plus 200
#                     samples of silence: the FLAC file's last frame is a few bytes long and the
#                     Opus file's last packet is mostly padding, as in many files ffmpeg writes
#   speech-shine.mp3  CBR 64 kbit/s by libshine: its Info header carries no encoder delay, so the
#                     decoded length differs from the header's by the decoder's own 529 samples
# The decode tests compare each decoded file with its source WAV (test/audio/decode.test.ts).
# Needs espeak-ng, sox and ffmpeg (Debian: apt-get install espeak-ng sox ffmpeg). The output of
# the lossy encoders depends on the library versions; the tests compare with tolerances, not bytes.
set -eu
out=test/fixtures/audio
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

espeak-ng -s 150 -w "$tmp/voice.wav" "seven, three, nine"
# Resample to 22050 Hz, pad to exactly 2.0 s, and mix a 440 Hz tone at -30 dBFS under it.
sox "$tmp/voice.wav" -r 22050 -b 32 -e float "$tmp/voice22.wav" pad 0.1 2.0 trim 0 2.0
sox -n -r 22050 -c 1 -b 32 -e float "$tmp/tone.wav" synth 2.0 sine 440 vol 0.0316
sox -m "$tmp/voice22.wav" "$tmp/tone.wav" -b 16 -e signed-integer "$out/speech.wav" gain -n -3
sox -n -r 22050 -c 1 -b 16 "$tmp/tone1k.wav" synth 2.0 sine 1000 vol 0.25
sox -M "$out/speech.wav" "$tmp/tone1k.wav" -b 16 "$out/speech-stereo.wav"

ff="ffmpeg -hide_banner -loglevel error -y -bitexact"
$ff -i "$out/speech.wav" -c:a libmp3lame -q:a 4 "$out/speech.mp3"
$ff -i "$out/speech.wav" -c:a flac -compression_level 5 "$out/speech.flac"
$ff -i "$out/speech.wav" -c:a libvorbis -q:a 3 "$out/speech.ogg"
$ff -i "$out/speech.wav" -c:a libopus -b:a 32k "$out/speech.opus"
$ff -i "$out/speech-stereo.wav" -c:a libmp3lame -q:a 4 "$out/speech-stereo.mp3"
$ff -i "$out/speech-stereo.wav" -c:a flac "$out/speech-stereo.flac"
sox "$out/speech.wav" "$out/speech-tail.wav" trim 0 18432s pad 0 200s
$ff -i "$out/speech-tail.wav" -c:a flac -compression_level 5 "$out/speech-tail.flac"
$ff -i "$out/speech-tail.wav" -c:a libopus -b:a 32k "$out/speech-tail.opus"
$ff -i "$out/speech.wav" -c:a libshine -b:a 64k "$out/speech-shine.mp3"
ls -l "$out"
