#!/usr/bin/perl
# sasl_layer.t - a SASL security layer on MUPDATE connections: a peer
# that authenticates with DIGEST-MD5 and integrity protection (auth-int)
# to the master, and to a frontend's slave on its TCP listener, gets its
# tagged OK in clear and everything after it under the layer (every
# buffer carries a MAC and a sequence number, so a byte outside the
# layer breaks the session): RESERVE, FIND and a LIST long enough to
# span several layer buffers; the master keeps serving other peers.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MUPDATE;
use Murder::Topology;
use Murder::SASLLayer;
use MIME::Base64 qw(encode_base64 decode_base64);

skip_unless_built(qw(master mupdate ctl_mboxlist));
plan(skip_all => 'Authen::SASL (DIGEST-MD5) missing') unless Murder::SASLLayer::available();

# layered_login - AUTHENTICATE DIGEST-MD5 (auth-int) as $user on the
# MUPDATE connection $c to a server whose realm/host is $host; a
# Murder::SASLLayer, or undef
sub layered_login {
    my ($c, $host, $user, $pw, $what) = @_;
    my $conn = Murder::SASLLayer::client('mupdate', $host, $user, $pw);
    $conn->client_start;
    my $tag = $c->send_cmd('AUTHENTICATE', 'DIGEST-MD5');
    my $ch = $c->read_line;
    $ch =~ s/^(\+ ?|")|"$//g if defined $ch;
    my $resp = defined $ch ? $conn->client_step(decode_base64($ch)) : undef;
    ok(defined $resp, "$what: DIGEST-MD5 response") or return undef;
    $c->send_raw(encode_base64($resp, '') . "\r\n");
    $ch = $c->read_line;
    $ch =~ s/^(\+ ?|")|"$//g if defined $ch;
    $conn->client_step(decode_base64($ch // ''));
    $c->send_raw("\r\n");
    my $ok = $c->read_line;
    like($ok // 'EOF', qr/^\Q$tag\E OK/, "$what: tagged OK in clear");
    cmp_ok($conn->property('ssf') // 0, '>', 0, "$what: integrity layer negotiated");
    return Murder::SASLLayer->wrap($conn, $c->sock);
}

# --- the master
my $n = Murder::MUPDATE::mupdate_node(config => { sasl_mech_list => 'PLAIN DIGEST-MD5' });
{
    my $c = Murder::MUPDATE->connect($n);
    ok(grep($_ eq 'DIGEST-MD5', @{$c->caps->{AUTH} // []}), 'master offers DIGEST-MD5');
    my $l = layered_login($c, $n->servername, 'admin', $Murder::MUPDATE::USERS{admin},
                           'master');
    my @r = $l->command('L1', 'RESERVE "user.layer" "be1!default"');
    like($r[-1], qr/^L1 OK/, 'master: RESERVE under the layer');
    for my $i (1 .. 300) {
        @r = $l->command("R$i", qq{RESERVE "user.layer$i" "be1!default"});
        last unless $r[-1] =~ /^R$i OK/;
    }
    like($r[-1], qr/^R300 OK/, 'master: 300 more RESERVEs under the layer');
    @r = $l->command('L2', 'FIND "user.layer"');
    like($r[0], qr/^L2 RESERVE "user\.layer" "be1!default"/, 'master: FIND under the layer');
    @r = $l->command('L3', 'LIST');
    is(scalar(grep { /^L3 RESERVE "user\.layer/ } @r), 301,
       'master: a LIST of several layer buffers arrives whole');
    like($r[-1], qr/^L3 OK/, 'master: LIST completed');
    my $other = Murder::MUPDATE->connect($n, user => 'admin');
    is($other->cmd('FIND', 'user.layer')->{items}[0][0], 'RESERVE',
       'master: another peer served meanwhile');
    $other->close;
    @r = $l->command('L4', 'LOGOUT');
    like($r[-1], qr/^L4 OK/, 'master: LOGOUT under the layer');
    ok($n->wait_for_log(qr/login ok user=<admin> mech=<DIGEST-MD5>/, 5), 'master: login logged');
}
$n->stop;

# --- a frontend's slave, on its TCP listener
my $t = Murder::Topology->murder(backends => 0, frontends => 1, placeholders => 1,
                                  frontend_config => { serverlist => '127.0.0.98',
                                                       sasl_mech_list => 'PLAIN DIGEST-MD5' });
$t->start;
my $fe = $t->frontend(0);
my ($admin, $pw) = ($Murder::Topology::ADMIN_USER, $Murder::Topology::ADMIN_PASSWORD);
{
    my $m = Murder::MUPDATE->new($t->mupdate->connect('mupdate'));
    $m->auth($admin, $pw) or die 'master auth: ' . ($m->last_text // '');
    is($m->cmd('ACTIVATE', 'user.sl', '127.0.0.98!default', "sl\tlrs\t")->{status}, 'OK',
       'ACTIVATE on the master');
    $m->close;
    my $c = Murder::MUPDATE->new($fe->connect('mupdate'));
    my $l = layered_login($c, $fe->servername, $admin, $pw, 'slave');
    my @r = $l->command('S1', 'NOOP');
    like($r[-1], qr/^S1 OK/, 'slave: NOOP (caught up) under the layer');
    @r = $l->command('S2', 'FIND "user.sl"');
    like($r[0], qr/^S2 MAILBOX "user\.sl" "127\.0\.0\.98!default"/, 'slave: FIND under the layer');
    @r = $l->command('S3', 'LOGOUT');
    like($r[-1], qr/^S3 OK/, 'slave: LOGOUT under the layer');
}
$t->stop;
done_testing;
