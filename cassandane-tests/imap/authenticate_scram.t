#!/usr/bin/perl
# authenticate_scram.t - AUTHENTICATE SCRAM-SHA-256 (RFC 7677) end to end,
# with a small SCRAM client written here on Digest::SHA: the server's
# final message (its signature) comes as a "+" continuation that the
# client answers with an empty line, and the client verifies it; a wrong
# password fails.  Skipped when the SCRAM plugin is not installed.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;
use Digest::SHA qw(hmac_sha256 sha256);
use MIME::Base64 qw(encode_base64 decode_base64);

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $probe = Murder::RawIMAP->connect($n);
plan(skip_all => 'SCRAM-SHA-256 plugin not installed')
    unless $probe->greeting =~ /AUTH=SCRAM-SHA-256/;

# pbkdf2 - PBKDF2-HMAC-SHA-256, one block (32 bytes)
sub pbkdf2 {
    my ($pw, $salt, $iter) = @_;
    my $u = hmac_sha256($salt . pack('N', 1), $pw);
    my $r = $u;
    for (2 .. $iter) { $u = hmac_sha256($u, $pw); $r ^= $u }
    return $r;
}

# scram - run the exchange; (tagged reply, server signature verified)
sub scram {
    my ($user, $pw) = @_;
    my $c = Murder::RawIMAP->connect($n);
    my $cnonce = encode_base64(join('', map { chr(int(rand(256))) } 1 .. 18), '');
    my $bare = "n=$user,r=$cnonce";
    $c->send('a AUTHENTICATE SCRAM-SHA-256 ' . encode_base64("n,,$bare", '') . "\r\n");
    my $l = $c->line;
    return ($l, 0) unless $l =~ /^\+ (\S+)$/;
    my $sfirst = decode_base64($1);
    my ($nonce, $salt, $iter) = $sfirst =~ /^r=([^,]+),s=([^,]+),i=(\d+)/ or return ('bad server-first', 0);
    my $salted = pbkdf2($pw, decode_base64($salt), $iter);
    my $ckey = hmac_sha256('Client Key', $salted);
    my $without = "c=biws,r=$nonce";
    my $authmsg = "$bare,$sfirst,$without";
    my $proof = $ckey ^ hmac_sha256($authmsg, sha256($ckey));
    $c->send(encode_base64("$without,p=" . encode_base64($proof, ''), '') . "\r\n");
    $l = $c->line;
    my $verified = 0;
    if ($l =~ /^\+ (\S+)$/) {
        my $sfinal = decode_base64($1);
        my $ssig = hmac_sha256($authmsg, hmac_sha256('Server Key', $salted));
        $verified = $sfinal eq 'v=' . encode_base64($ssig, '');
        $c->send("\r\n");
        $l = $c->until_tag('a');
    }
    return ($l, $verified);
}

my ($r, $v) = scram('alice', 'alice-pw');
like($r, qr/^a OK \[CAPABILITY /, 'SCRAM-SHA-256 login');
ok($v, 'server signature verified');
ok($n->wait_for_log(qr/login ok user=<alice> mech=<SCRAM-SHA-256>/, 5), 'logged');
($r, $v) = scram('alice', 'wrong');
like($r // '', qr/^a NO \[AUTHENTICATIONFAILED\]/, 'wrong password fails');
$n->stop;
done_testing;
