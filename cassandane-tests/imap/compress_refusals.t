#!/usr/bin/perl
# compress_refusals.t - COMPRESS (RFC 4978) is refused before login (BAD,
# as a post-auth command), for an unknown algorithm (BAD, the session stays
# uncompressed), and when the client pipelines bytes after COMPRESS
# DEFLATE (they could not be told apart from compressed ones: BAD + BYE).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::RawIMAP->connect($n);
like(scalar $c->cmd('COMPRESS DEFLATE'), qr/^\S+ BAD/, 'before login: BAD');
$c->login('alice', $Murder::RawIMAP::USERS{alice});
like(scalar $c->cmd('COMPRESS LZW'), qr/^\S+ BAD/, 'unknown algorithm: BAD');
like(scalar $c->cmd('COMPRESS'), qr/^\S+ BAD/, 'missing algorithm: BAD');
like(scalar $c->cmd('NOOP'), qr/^\S+ OK/, 'still plain text afterwards');

$c->send("p1 COMPRESS DEFLATE\r\np2 NOOP\r\n");
my ($tagged, @u) = $c->until_tag('p1');
like($tagged // '', qr/^p1 BAD/, 'pipelined after COMPRESS: BAD');
ok($c->at_eof(5), 'and the session ends');
ok((grep { /^\* BYE/ } @u, @{$c->{tail}}), 'with BYE');
$n->stop;
done_testing;
