#!/usr/bin/perl
# compress_session.t - COMPRESS=DEFLATE (RFC 4978): advertised after login
# only; COMPRESS DEFLATE answers OK uncompressed, then both directions are
# raw deflate: a whole session (SELECT, APPEND of a large literal, FETCH
# of the body back byte for byte, a second COMPRESS refused with NO
# [COMPRESSIONACTIVE], LOGOUT) runs over it.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;
use Compress::Raw::Zlib;
use IO::Select;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::RawIMAP->connect($n);
my (undef, @u) = $c->cmd('CAPABILITY');
unlike(join(' ', @u), qr/COMPRESS=DEFLATE/, 'not advertised before login');
$c->login('alice', $Murder::RawIMAP::USERS{alice});
(undef, @u) = $c->cmd('CAPABILITY');
like(join(' ', @u), qr/ COMPRESS=DEFLATE\b/, 'advertised after login');
like(scalar $c->cmd('COMPRESS DEFLATE'), qr/^\S+ OK/, 'COMPRESS DEFLATE: OK (uncompressed)');

# from here on, a deflate stream each way
my ($def, $st1) = Compress::Raw::Zlib::Deflate->new(-WindowBits => -15, -AppendOutput => 1);
my ($inf, $st2) = Compress::Raw::Zlib::Inflate->new(-WindowBits => -15, -AppendOutput => 1,
                                                     -ConsumeInput => 1, -LimitOutput => 0);
ok($def && $inf, 'zlib streams');
my $sock = $c->sock;
my $plain = '';   # inflated bytes not yet consumed
my $wire = 0;     # compressed bytes received

# zsend - deflate $data, sync-flush, write it
sub zsend {
    my ($data) = @_;
    my $out = '';
    $def->deflate($data, $out) == Z_OK or return 0;
    $def->flush($out, Z_SYNC_FLUSH) == Z_OK or return 0;
    return $c->send($out);
}

# zfill - read and inflate more; false on EOF/timeout/bad data
sub zfill {
    my $sel = IO::Select->new($sock);
    return 0 unless $sel->can_read(10);
    my $n = sysread($sock, my $in, 65536);
    return 0 unless $n;
    $wire += $n;
    my $st = $inf->inflate($in, $plain);
    return $st == Z_OK || $st == Z_STREAM_END || $st == Z_BUF_ERROR;
}

# zline - one inflated line (CRLF stripped), undef on failure
sub zline {
    while ($plain !~ /\r\n/) { zfill() or return undef }
    $plain =~ s/^(.*?)\r\n//s;
    return $1;
}

# zbytes - exactly $len inflated bytes
sub zbytes {
    my ($len) = @_;
    while (length $plain < $len) { zfill() or return undef }
    return substr($plain, 0, $len, '');
}

# zcmd - a command; (tagged, untagged...) with literals inlined
sub zcmd {
    my ($tag, $text) = @_;
    zsend("$tag $text\r\n") or return;
    my @u;
    while (defined(my $l = zline())) {
        while ($l =~ /\{(\d+)\}$/) {
            my $d = zbytes($1);
            my $rest = zline();
            return (undef, @u) unless defined $d && defined $rest;
            $l .= "\r\n" . $d . $rest;
        }
        return ($l, @u) if $l =~ /^\Q$tag\E /;
        push @u, $l;
    }
    return (undef, @u);
}

my ($ok, @r) = zcmd('z1', 'SELECT INBOX');
like($ok, qr/^z1 OK/, 'SELECT over compression');
ok((grep { /^\* 0 EXISTS$/ } @r), 'SELECT untagged responses readable');

# a large body: many lines of varied text (compresses, spans buffers)
my $body = join('', map { "line $_ " . ('abcdefghij' x ($_ % 7 + 1)) . "\r\n" } 1 .. 3000);
my $msg = "Subject: compressed\r\nFrom: a\@example.org\r\n\r\n" . $body;
zsend("z2 APPEND INBOX {" . length($msg) . "+}\r\n$msg\r\n");
my @ap;
while (defined(my $l = zline())) { push @ap, $l; last if $l =~ /^z2 / }
like($ap[-1] // '', qr/^z2 OK/, 'APPEND of ' . length($msg) . ' bytes over compression');

($ok, @r) = zcmd('z3', 'FETCH 1 BODY[]');
like($ok, qr/^z3 OK/, 'FETCH over compression');
my ($lit) = ($r[0] // '') =~ /BODY\[\] \{\d+\}\r\n(.*)\)\z/s;
ok(defined $lit && $lit eq $msg, 'FETCH BODY[] returns the message byte for byte');
cmp_ok($wire, '<', length($msg) / 2, "server output really compressed ($wire bytes on the wire)");

($ok) = zcmd('z4', 'COMPRESS DEFLATE');
like($ok, qr/^z4 NO \[COMPRESSIONACTIVE\]/, 'second COMPRESS: NO [COMPRESSIONACTIVE]');
($ok) = zcmd('z5', 'NOOP');
like($ok, qr/^z5 OK/, 'session still usable');
($ok, @r) = zcmd('z6', 'LOGOUT');
like($ok, qr/^z6 OK/, 'LOGOUT over compression');
ok((grep { /^\* BYE/ } @r), 'BYE over compression');
$n->stop;
done_testing;
